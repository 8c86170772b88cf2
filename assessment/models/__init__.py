"""The data model: questionnaires, catalogues, answers and results as typed, plain data.

Models import nothing of dtm above them: no engine, no store, no views.
"""
