"""Field collection: answers read from labels, workbooks, survey platforms and forms."""
