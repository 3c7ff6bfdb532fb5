"""OWL reasoning with HermiT through owlready2 in an isolated World: consistency, inferred triples in their own
graph, explanations of inconsistencies, and the cache of results."""
