"""Moving an archive between Jekyll (Markdown files with YAML front matter) and Newsroom.

``importer.import_paths`` serves both the ``import_jekyll`` command and the admin upload page;
``exporter.export_site`` writes the archive back out as a Jekyll site.
"""
