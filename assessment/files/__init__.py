"""Files read and written safely: YAML with locations, atomic writes, safe names, evidence files."""
