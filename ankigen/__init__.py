"""ankigen: turn mkdocs-material Q&A pages into Anki decks that update in place."""

__all__ = ["__version__"]

__version__ = "0.1.0"
