"""The forms of the definition pages."""

from __future__ import annotations

from django import forms


class DefinitionForm(forms.Form):
    """A measure's definition as it is written in a scorecard file (the service reads and
    checks the YAML; its size limit is the engine's)."""

    definition = forms.CharField(required=False, strip=False)
