# Airflow 3.3.2 with togrant-odoo-sync installed as a package, for docker-compose.yaml (every Airflow service
# builds this) and as a deployment image (e.g. for the official Helm chart; docs/deploy.md).
#
# The package is built from the copy in /opt/airflow/project and installed like any provider (not editable):
# its SQL, mail templates and runbook travel inside it. The deployment's own files sit where Airflow and an
# Astronomer project keep them: DAG files in /opt/airflow/dags, the tenants file in /opt/airflow/include
# (found beside the DAG folder). docker-compose mounts ./dags and ./include over these copies.
#
# The Python 3.11 variant on purpose: constraints.txt is a freeze made on Python 3.11, and the plain 3.3.2 tag
# carries a newer default Python.
FROM apache/airflow:3.3.2-python3.11

# The base image already runs as `airflow`; restated because pip must not run as root in this image
# (packages live in the airflow user's virtualenv under /home/airflow/.local).
USER airflow

# Created by the airflow user, not by WORKDIR (which would make them root's): pip builds the package in the
# project folder, and the SimpleAuthManager password file lives on a named volume mounted at simple-auth
# (docker-compose.yaml), which takes this folder's ownership when first created.
RUN mkdir -p /opt/airflow/project /opt/airflow/simple-auth
WORKDIR /opt/airflow/project

# Dependencies first, in a layer of their own: editing the code does not reinstall them.
COPY --chown=airflow:0 requirements.txt constraints.txt ./
RUN pip install --no-cache-dir -c constraints.txt -r requirements.txt

# The project itself (see .dockerignore for what stays out), built into a wheel and installed.
COPY --chown=airflow:0 . /opt/airflow/project
RUN pip install --no-cache-dir -c constraints.txt -r requirements.txt /opt/airflow/project

# What a deployment edits: the DAG files and the tenants file beside their folder (odoo_sync/paths.py).
COPY --chown=airflow:0 dags /opt/airflow/dags
COPY --chown=airflow:0 include/tenants.yaml /opt/airflow/include/tenants.yaml

WORKDIR /opt/airflow
