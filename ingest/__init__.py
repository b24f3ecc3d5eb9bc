"""Corpus -> passages -> index: read articles, drop page furniture, find each
article's title, date and places, cut it into passages of whole sentences,
embed them and store them in Chroma plus a lexical index (see ingest.run)."""
