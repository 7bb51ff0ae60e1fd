-- The parameters a flow submission was made with (period, on_error): a replay of the same content must match
-- them, or it is refused naming the one that differs. NULL for submissions stored before they were kept.
ALTER TABLE flow_submission ADD COLUMN parameters jsonb;
