import OnyxIR
