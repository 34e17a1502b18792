"""The OAuth2 scopes of the Customer Segment Service."""

READ = "customersegment.segment_read"
READ_OWN = "customersegment.segment_read_own"
MANAGE = "customersegment.segment_manage"
ALL = (READ, READ_OWN, MANAGE)
