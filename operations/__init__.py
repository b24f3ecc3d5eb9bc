"""What an operator runs and watches: the question log, the health check,
the feedback store and the login. Not part of answering; the chat and the
command line call into it."""
