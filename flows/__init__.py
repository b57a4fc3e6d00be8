"""Call-flow domain: node types, flow files, validation, TwiML rendering, simulation.

Never imports Flask or `ivr_designer`; takes plain arguments, returns plain values.
"""
