"""Published worked examples with their raw data, reproduced to the precision printed.

Sources (each test names its own):

- NIST/SEMATECH *e-Handbook of Statistical Methods* (2012, public domain),
  https://www.itl.nist.gov/div898/handbook/ — section 6.3.2.2 "Individuals Control Charts",
  6.3.2.4 "EWMA Control Charts", 6.3.3.1 "Counts Control Charts", 6.3.3.2 "Proportions
  Control Charts", 6.1.6 "What is Process Capability?".
- D. C. Montgomery, *Introduction to Statistical Quality Control*, Wiley, example 6.1
  (piston-ring inside diameters, table 6.3, the 25 preliminary samples of five).
- SAS/QC User's Guide, PROC MACONTROL example "Displaying Individual Measurements on an EWMA
  Chart" (steel-belt diameters of 30 tires; OUTLIMITS listing of the IRCHART statement).
- C. T. Horngren, S. M. Datar, M. V. Rajan, *Cost Accounting: A Managerial Emphasis*, 14th ed.,
  Pearson, chapter 15, the Robinson Company example (plant maintenance and information systems
  serving machining and assembly): direct, step-down and reciprocal methods.
"""

from __future__ import annotations

import math

import pytest

from trellis.engine.analytics import allocation as al
from trellis.engine.analytics import capability as cap
from trellis.engine.analytics import spc


def test_nist_individuals_chart() -> None:
    """NIST 6.3.2.2: ten batches; x̄ = 50.81, MR̄ = 1.8778, UCL = 55.8041, LCL = 45.8159,
    moving-range UCL = 6.1349 (3.267 × 1.8778)."""
    flow = [49.6, 47.6, 49.9, 51.3, 47.8, 51.2, 52.6, 52.4, 53.6, 52.1]
    chart = spc.xmr(flow)
    assert round(chart.center, 2) == 50.81
    assert round(chart.mr_bar, 4) == 1.8778
    assert round(chart.ucl, 4) == 55.8041
    assert round(chart.lcl, 4) == 45.8159
    assert chart.mr_ucl == pytest.approx(3.267 * 1.8778, abs=1e-4)
    assert spc.signals(flow, chart.center, chart.sigma, "western_electric") == []


def test_nist_ewma_chart() -> None:
    """NIST 6.3.2.4: λ = 0.3, target 50, s = 2.0539; the printed EWMA column and the
    limits UCL = 52.5884, LCL = 47.4115 (the handbook's asymptotic limits: the exact limits of
    the 20th point differ from them by less than 1e-9); every point is in control."""
    x = [52.0, 47.0, 53.0, 49.3, 50.1, 47.0, 51.0, 50.1, 51.2, 50.5]
    x += [49.6, 47.6, 49.9, 51.3, 47.8, 51.2, 52.6, 52.4, 53.6, 52.1]
    chart = spc.ewma(x, lam=0.3, center=50.0, sigma=2.0539)
    printed = [50.60, 49.52, 50.56, 50.18, 50.16, 49.21, 49.75, 49.85, 50.26, 50.33]
    printed += [50.11, 49.36, 49.52, 50.05, 49.38, 49.92, 50.73, 51.23, 51.94, 51.99]
    assert [round(float(z), 2) for z in chart.statistic] == printed
    assert chart.ucl[-1] == pytest.approx(52.5884, abs=1e-4)
    assert chart.lcl[-1] == pytest.approx(47.4115, abs=1e-4)
    assert bool(((chart.statistic < chart.ucl) & (chart.statistic > chart.lcl)).all())


def test_nist_c_chart_of_wafer_defects() -> None:
    """NIST 6.3.3.1: defects on 25 wafers; c̄ = 16, UCL = 28, LCL = 4."""
    counts = [16, 14, 28, 16, 12, 20, 10, 12, 10, 17, 19, 17, 14, 16, 15, 13, 14, 16, 11, 20]
    counts += [11, 19, 16, 31, 13]
    chart = spc.c_chart(counts)
    assert (chart.center, float(chart.ucl[0]), float(chart.lcl[0])) == (16.0, 28.0, 4.0)
    assert [i for i, c in enumerate(counts) if c > chart.ucl[i]] == [23]  # wafer 24: 31 defects


def test_nist_p_chart_of_defective_chips() -> None:
    """NIST 6.3.3.2: 30 wafers of 50 chips; p̄ = 0.2313, UCL = 0.4102, LCL = 0.0524."""
    defective = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22, 8, 10, 5, 13, 11]
    defective += [20, 18, 24, 15, 9, 12, 7, 13, 9, 6]
    chart = spc.p_chart(defective, [50] * 30)
    assert round(chart.center, 4) == 0.2313
    assert round(float(chart.ucl[0]), 4) == 0.4102
    assert round(float(chart.lcl[0]), 4) == 0.0524


PISTON_RINGS = [
    (74.030, 74.002, 74.019, 73.992, 74.008),
    (73.995, 73.992, 74.001, 74.011, 74.004),
    (73.988, 74.024, 74.021, 74.005, 74.002),
    (74.002, 73.996, 73.993, 74.015, 74.009),
    (73.992, 74.007, 74.015, 73.989, 74.014),
    (74.009, 73.994, 73.997, 73.985, 73.993),
    (73.995, 74.006, 73.994, 74.000, 74.005),
    (73.985, 74.003, 73.993, 74.015, 73.988),
    (74.008, 73.995, 74.009, 74.005, 74.004),
    (73.998, 74.000, 73.990, 74.007, 73.995),
    (73.994, 73.998, 73.994, 73.995, 73.990),
    (74.004, 74.000, 74.007, 74.000, 73.996),
    (73.983, 74.002, 73.998, 73.997, 74.012),
    (74.006, 73.967, 73.994, 74.000, 73.984),
    (74.012, 74.014, 73.998, 73.999, 74.007),
    (74.000, 73.984, 74.005, 73.998, 73.996),
    (73.994, 74.012, 73.986, 74.005, 74.007),
    (74.006, 74.010, 74.018, 74.003, 74.000),
    (73.984, 74.002, 74.003, 74.005, 73.997),
    (74.000, 74.010, 74.013, 74.020, 74.003),
    (73.988, 74.001, 74.009, 74.005, 73.996),
    (74.004, 73.999, 73.990, 74.006, 74.009),
    (74.010, 73.989, 73.990, 74.009, 74.014),
    (74.015, 74.008, 73.993, 74.000, 74.010),
    (73.982, 73.984, 73.995, 74.017, 74.013),
]


def test_montgomery_piston_rings_xbar_r() -> None:
    """Montgomery example 6.1: x̿ = 74.001, R̄ = 0.023, x̄ chart limits 73.988 to 74.014
    (the book prints three decimals; its R chart's UCL of 0.049 is D4 times the rounded R̄)."""
    chart = spc.xbar_r(PISTON_RINGS)
    assert round(chart.center, 3) == 74.001
    assert round(chart.dispersion_center, 3) == 0.023
    assert (round(chart.lcl, 3), round(chart.ucl, 3)) == (73.988, 74.014)
    assert round(2.114 * round(chart.dispersion_center, 3), 3) == 0.049
    assert chart.dispersion_lcl == 0.0


def test_sas_tire_diameters_xmr() -> None:
    """SAS/QC, 30 tire steel-belt diameters: mean 24.0083, average moving range 0.056897,
    limits 23.8571 to 24.1596, moving-range UCL 0.18585. SAS uses the unrounded d2 = 2/√π and
    D4 = 1 + 3 d3/d2; Trellis uses the handbook's d2 = 1.128 and D4 = 3.267, which moves the
    limits by less than 1e-4."""
    tires = [24.05, 23.99, 23.95, 23.93, 23.97, 24.02, 24.06, 24.10, 23.98, 24.03]
    tires += [23.91, 24.06, 24.06, 23.96, 23.98, 24.06, 24.01, 24.00, 23.93, 23.92]
    tires += [24.09, 24.11, 24.05, 23.98, 23.98, 24.06, 24.02, 24.06, 23.97, 23.96]
    chart = spc.xmr(tires)
    assert round(chart.center, 4) == 24.0083
    assert round(chart.mr_bar, 6) == 0.056897
    assert chart.ucl == pytest.approx(24.1596, abs=1e-4)
    assert chart.lcl == pytest.approx(23.8571, abs=1e-4)
    assert chart.mr_ucl == pytest.approx(0.18585, abs=1e-4)
    exact_sigma = chart.mr_bar / (2 / math.sqrt(math.pi))
    assert round(exact_sigma, 6) == 0.050423  # SAS's _STDDEV_, with the unrounded d2


def test_nist_capability_example() -> None:
    """NIST 6.1.6: LSL = 8, USL = 20, mean 16, σ = 2 give Cp = 1.00 and
    Cpk = min(0.6667, 1.3333) = 0.6667."""
    c = cap.from_stats(mean=16, sigma=2, lsl=8, usl=20)
    assert c.cp == 1.0
    assert (round(c.cpu or 0, 4), round(c.cpl or 0, 4), round(c.cpk or 0, 4)) == (
        0.6667,
        1.3333,
        0.6667,
    )


ROBINSON_COSTS = {"PM": 6_300_000.0, "IS": 1_452_150.0, "MACH": 4_000_000.0, "ASSY": 2_000_000.0}
ROBINSON_USAGE = {
    "PM": {"IS": 0.20, "MACH": 0.30, "ASSY": 0.50},
    "IS": {"PM": 0.10, "MACH": 0.80, "ASSY": 0.10},
}


def test_horngren_direct_method() -> None:
    """Machining $7,653,300 and assembly $6,098,850 after the support departments."""
    result = al.direct(ROBINSON_COSTS, ROBINSON_USAGE)
    assert result.flows[("PM", "MACH")] == pytest.approx(2_362_500)
    assert result.flows[("IS", "ASSY")] == pytest.approx(161_350)
    assert result.totals == pytest.approx({"PM": 0, "IS": 0, "MACH": 7_653_300, "ASSY": 6_098_850})


def test_horngren_step_down_method() -> None:
    """Plant maintenance first: $1,260,000 to information systems, which then allocates
    $2,712,150; machining $8,300,800, assembly $5,451,350."""
    result = al.step_down(ROBINSON_COSTS, ROBINSON_USAGE, order=["PM", "IS"])
    assert result.flows[("PM", "IS")] == pytest.approx(1_260_000)
    assert result.flows[("IS", "MACH")] + result.flows[("IS", "ASSY")] == pytest.approx(2_712_150)
    assert result.totals == pytest.approx({"PM": 0, "IS": 0, "MACH": 8_300_800, "ASSY": 5_451_350})


def test_horngren_reciprocal_method() -> None:
    """PM = 6,300,000 + 0.1 IS and IS = 1,452,150 + 0.2 PM give the complete reciprocated
    costs PM = $6,576,750 and IS = $2,767,500; machining $8,187,025, assembly $5,565,125."""
    result = al.reciprocal(ROBINSON_COSTS, ROBINSON_USAGE)
    assert result.flows[("PM", "IS")] == pytest.approx(0.2 * 6_576_750, rel=1e-12)
    assert result.flows[("IS", "PM")] == pytest.approx(0.1 * 2_767_500, rel=1e-12)
    assert result.totals == pytest.approx(
        {"PM": 0, "IS": 0, "MACH": 8_187_025, "ASSY": 5_565_125}, rel=1e-12
    )
