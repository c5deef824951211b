"""The coach's workspace: worker files, trajectory milestones, notes, flags and the audit trail."""
