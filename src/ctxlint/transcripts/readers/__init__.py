"""One reader per agent's transcript format (detected from content, see ``reading``)."""
