"""The engine: the questionnaire language, loading and checking, scoring, levels, recommendation.

Pure functions over the models: nothing here reads a store, renders a page or prints.
"""
