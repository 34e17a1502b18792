"""segment-gateway: a GraphQL gateway over customer-segment item assignments."""
