"""Files on records: the attachments panel, its model, background file jobs and the preview."""
