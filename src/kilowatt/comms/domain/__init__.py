"""Pure rules of comms: what may be queued, when a failed send is tried again."""
