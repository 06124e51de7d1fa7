"""Custom Rasa NLU components of banshi: spoken-number normalisation and rule-based entities.

``config.yml`` names them by their import path (``nlu.normalizer.SpokenNumberNormalizer``,
``nlu.entity_ruler.PatternEntityExtractor``).
"""
