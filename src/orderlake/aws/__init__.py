"""AWS-side helpers: thin boto3 calls with clients passed in by the caller."""
