"""Airflow's side: the DAG factory, the task bodies, the provider info and the tenants' pools."""
