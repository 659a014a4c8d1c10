"""Programmes, their yearly releases, components, eligibility rules and beneficiary lists (issue 10)."""
