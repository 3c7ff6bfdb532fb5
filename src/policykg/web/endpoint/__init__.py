"""The standards half of the web application: SPARQL 1.1 Protocol, Graph Store Protocol, service description,
the watchdog that enforces the time limit, and the gunicorn server."""
