"""Reading YAML safely: aliases, merges and nesting are bounded before anything is built."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from trellis.demo.acme import scorecard_folder
from trellis.engine import yaml_source
from trellis.engine.loading import load_spec
from trellis.engine.spec import Location
from trellis.engine.yaml_source import read_yaml

BOMB = "\n".join(
    ["a: &a [x, x, x, x, x, x, x, x, x]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]
)
"""About 400 bytes that expand to 9**9 (387 million) scalars."""


def test_an_alias_bomb_is_refused_before_it_is_expanded() -> None:
    assert len(BOMB) < 500
    data, findings = read_yaml(BOMB, "bomb.yaml")
    assert data is None
    assert [(f.code, str(f.location)) for f in findings] == [("yaml-too-large", "bomb.yaml:6")]
    assert findings[0].message == (
        "aliases expand the document by more than 100,000 nodes; "
        "write the repeated parts out or share less"
    )


def test_shared_settings_with_anchors_and_merges_still_load() -> None:
    text = "base: &base {polarity: down, decimals: 1}\nm: {<<: *base, code: X}\nn: [*base, *base]\n"
    data, findings = read_yaml(text, "ok.yaml")
    assert findings == []
    assert data["m"] == {"polarity": "down", "decimals": 1, "code": "X"}
    assert data["n"] == [{"polarity": "down", "decimals": 1}] * 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: &a [1, *a]\n", "an alias refers to a node that contains it (it would never end)"),
        ("a: " + "[" * 150 + "]" * 150 + "\n", "mappings and lists nest deeper than 100 levels"),
        ("a: " + "[" * 5000 + "]" * 5000 + "\n", "mappings and lists nest deeper than 100 levels"),
        ("a: " + "[" * 999 + "]" * 999 + "\n", "mappings and lists nest deeper than 100 levels"),
        (
            "a:\n" + "".join(" " * i + "- \n" for i in range(1, 3000)),
            "mappings and lists nest deeper than 100 levels",
        ),
    ],
)
def test_documents_that_never_end_or_nest_too_deep_are_refused(text: str, message: str) -> None:
    data, findings = read_yaml(text, "deep.yaml")
    assert data is None
    assert [f.message for f in findings] == [message]


MALFORMED = [
    "a: [1, 2\n",
    "a: {b: 1\nc: 2\n",
    "a: 1\n  b: 2\n",
    "- a\nb: 1\n",
    "a: 'unclosed\n",
    "a: *missing\n",
    "a: &x 1\nb: &x 2\n",
    "--- 1\n--- 2\n",
    "a:\n\t- tab\n",
    "a: " + "[" * 150 + "]" * 150 + "\n",
]


@pytest.mark.parametrize("text", MALFORMED)
def test_libyaml_and_the_python_parser_report_the_same(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = read_yaml(text, "card.yaml")[1]
    monkeypatch.setattr(yaml_source, "FAST_LOADER", yaml.SafeLoader)
    plain = read_yaml(text, "card.yaml")[1]
    assert fast == plain
    assert fast and fast[0].location.line is not None


def test_libyaml_reads_real_scorecards_as_the_python_parser_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert yaml.__with_libyaml__ and issubclass(yaml_source.FAST_LOADER, yaml.CSafeLoader)
    assert yaml_source.C_COMPOSER_SAFE  # this libyaml bounds nesting: its composer is used
    folder = scorecard_folder()
    fast = load_spec(folder)
    monkeypatch.setattr(yaml_source, "FAST_LOADER", yaml.SafeLoader)
    plain = load_spec(folder)
    assert fast.spec == plain.spec and fast.findings == plain.findings
    assert [m.location for m in fast.spec.measures] == [m.location for m in plain.spec.measures]


@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "12",
                    "0x1F",
                    "1_000",
                    "3.5e2",
                    ".inf",
                    "yes",
                    "No",
                    "~",
                    "null",
                    "",
                    "2026-03-01",
                    "<<",
                    "=",
                    "code",
                    "+12",
                    "-.5",
                    "0o17",
                    "1:20",
                ]
            ),
            st.text(max_size=12),
        ),
        max_size=30,
    )
)
def test_remembered_tags_are_pyyaml_s(texts: list[str]) -> None:
    loader = yaml_source.FAST_LOADER("")
    plain = yaml.resolver.Resolver()
    for text in texts * 2:  # the second time from memory
        for implicit in ((True, False), (False, True), (False, False)):
            assert loader.resolve(yaml.ScalarNode, text, implicit) == plain.resolve(
                yaml.ScalarNode, text, implicit
            ), (text, implicit)


def test_each_key_knows_its_line_and_mappings_with_the_same_keys_share_them() -> None:
    text = "first:\n  a: 1\n\n  b: 2\nsecond:\n  a: 3\n  b: 4\n  a: 5\n"
    data, findings = read_yaml(text, "f.yaml")
    first, second = data["first"], data["second"]
    assert (first.location.line, first.location.line_of("a"), first.location.line_of("b")) == (
        2,
        2,
        4,
    )
    assert first.location.line_of("missing") == 2
    assert first.location.at("b") == Location("f.yaml", 4)
    assert second["a"] == 5 and second.location.line_of("a") == 8  # the later one is kept
    assert [f.code for f in findings] == ["duplicate-key"]
    assert first.location.keys is second.location.keys
