"""SPARQL text and answers, below every feature: the one lexer (tokens, prologue, VALUES binding), the guard of
what a public query may do, the federation allow-list, query results, and the one SPARQL HTTP client."""
