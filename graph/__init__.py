"""Read task-decomposition tables and build fenjie's RDF graph."""
