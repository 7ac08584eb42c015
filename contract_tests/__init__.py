"""Contract-test kit for Visual Layer's Notifications API: checks any server against
``openapi.yaml``, clause by clause."""
