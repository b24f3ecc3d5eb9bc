"""What an operator watches: the question log and the health check. Not part
of answering; the chat and the command line call into it."""
