# Airflow 3.3.2 with togrant-odoo-sync installed, for docker-compose.yaml (every Airflow service builds this).
#
# The project is copied to /opt/airflow/project and installed editable, so the package, its provider entry point
# (the `odoo` connection type) and include/ sit together; docker-compose mounts ./include over the copy.
#
# The Python 3.11 variant on purpose: constraints.txt is a freeze made on Python 3.11, and the plain 3.3.2 tag
# carries a newer default Python.
FROM apache/airflow:3.3.2-python3.11

# The base image already runs as `airflow`; restated because pip must not run as root in this image
# (packages live in the airflow user's virtualenv under /home/airflow/.local).
USER airflow

# Created by the airflow user, not by WORKDIR (which would make them root's): an editable install writes its
# metadata into the project folder, and the SimpleAuthManager password file lives on a named volume mounted at
# simple-auth (docker-compose.yaml), which takes this folder's ownership when first created.
RUN mkdir -p /opt/airflow/project /opt/airflow/simple-auth
WORKDIR /opt/airflow/project

# Dependencies first, in a layer of their own: editing the code does not reinstall them.
COPY --chown=airflow:0 requirements.txt constraints.txt ./
RUN pip install --no-cache-dir -c constraints.txt -r requirements.txt

# The project itself (see .dockerignore for what stays out).
COPY --chown=airflow:0 . /opt/airflow/project
RUN pip install --no-cache-dir -c constraints.txt -r requirements.txt -e /opt/airflow/project

WORKDIR /opt/airflow
