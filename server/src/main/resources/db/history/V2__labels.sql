-- A run's label (its request's `label`): the calls of one `fibperf bench`, say, found together and
-- compared with another label's.
ALTER TABLE runs ADD COLUMN label VARCHAR(64) DEFAULT '' NOT NULL;
CREATE INDEX runs_by_label ON runs (label, ended_micros, run_id);
