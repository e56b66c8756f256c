"""
Spun copy (伪原创): articles a content farm ran through a "synonym" spinner
(野生智能 for 人工智能, 权势巨子性 for 权威性). The detector flags them with each
suspect phrase and its likely original; an editor restores the originals
with one confirmed click (articles.workflow.restore_spun_originals).

- dictionary.csv: the known swaps, editable data
- detector: finding suspect phrases, scoring an article, replacing phrases
- models: SpunCheck, the stored verdict the desk filters on
- checks: keeping SpunCheck in step with saves and bulk writes
- admin: the desk's list filter and the confirm-and-restore page
"""
