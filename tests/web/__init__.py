"""Web layer tests: HTTP, gradio_client, origins, privacy, feedback."""
