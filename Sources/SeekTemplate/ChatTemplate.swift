// Placeholder so the target builds; the Jinja chat templates live here.
