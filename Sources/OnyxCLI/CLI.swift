import OnyxONNX
