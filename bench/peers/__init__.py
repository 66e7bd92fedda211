"""Peer engines (CLIPS via clipspy, GoRules zen-engine) on a five-rule subset; see bench/peers/README.md."""
