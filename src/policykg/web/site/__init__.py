"""The pages for people and the named-query URLs: home, editor, resource pages, pictures, downloads, docs."""
