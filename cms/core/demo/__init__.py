"""The pieces the demo content loader is made of; ``cms.core.demo_content`` puts them together."""
