"""The application shell: settings, the web app, authentication wiring, i18n and the CLI."""
