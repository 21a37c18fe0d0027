# Type stubs for the parts of pyvis 0.3.2 (pinned in pyproject.toml) that fenjie uses: pyvis ships
# no type information and no stubs package exists. See stubs/README.md.
