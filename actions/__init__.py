"""Custom actions of the banshi assistant (rasa-sdk), grouped by service.

The action server is started by ``python -m actions.server``; it registers every action of this
package, creates the one platform client of the process at startup and checks Rasa's token.
"""
