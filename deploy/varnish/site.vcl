# What differs from one machine to another: where the app listens, and who may purge.
# `make edge` writes its own copy under var/edge/ from HOST and PORT, found first on
# vcl_path; production edits this one (or puts its own first on vcl_path the same way).

backend default {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 60s;
}

# The app's purges (EDGE_CACHE_URLS) come from these addresses only.
acl purgers {
    "127.0.0.1";
    "::1";
}
