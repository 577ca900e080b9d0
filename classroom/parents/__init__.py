"""Parents and carers: invite codes, each child's feed, messages, notices and photo consent."""
