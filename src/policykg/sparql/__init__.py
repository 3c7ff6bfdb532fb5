"""SPARQL text and answers, below every feature: lexing and VALUES binding, the guard of what a public query may
do, the federation allow-list, and query results."""
