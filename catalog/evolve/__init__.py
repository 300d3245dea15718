"""The ontology changes with the data, and says so: the catalog's own extension (what a person
accepted or changed), rename / merge / retire of concepts with every edge migrated, versions, and
the diff between two ontologies."""
