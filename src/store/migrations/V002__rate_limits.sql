-- Request counts per rate-limit bucket and window, shared by every node on one database.
CREATE TABLE rate_limit_windows (
    bucket        TEXT NOT NULL,
    window_start  BIGINT NOT NULL,
    count         INTEGER NOT NULL,
    PRIMARY KEY (bucket, window_start)
);
CREATE INDEX rate_limit_windows_by_age ON rate_limit_windows (window_start);
