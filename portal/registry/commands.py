import click
from flask.cli import AppGroup
registry_cli = AppGroup("registry")
