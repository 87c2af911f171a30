"""Domain events that let one package react to another without importing it.

Senders call `signal.send(current_app._get_current_object(), **data)` inside the transaction;
receivers only flush (the sending view commits).
"""

from blinker import Namespace

events = Namespace()

# data: db, attestation, version, actor
attestation_submitted = events.signal("attestation-submitted")
# data: db, pledge, actor
pledge_signed = events.signal("pledge-signed")
# data: db, pledge, actor
pledge_withdrawn = events.signal("pledge-withdrawn")
