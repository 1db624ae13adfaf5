"""The demo province `make run` and the tests start from (seed.seed_demo): a province after the
1 July 2025 reform with its departments and communes, their users, plans and tasks, checklist
templates, inspections and their documents, Chỉ số CCHC rounds, and the history of the communes
merged into xã An Phước. Data only: nothing here is imported by the product's own code paths."""
