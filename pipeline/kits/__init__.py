"""What leaves the pipeline for people without the feed: the community-screening kit's pages,
the narrator's script, the WhatsApp message and the radio programme note (French and Bambara),
and the arithmetic of sizes (does it fit on the key, under WhatsApp's limit?).
"""
