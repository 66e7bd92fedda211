"""lianjian (廉检): a rule-engine audit checker for party-discipline and clean-government work."""

__version__ = "0.1.0"
