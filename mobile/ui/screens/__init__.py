"""One module and one kv file per screen; screens are thin views over presenters."""
