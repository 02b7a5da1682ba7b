import asyncio


class BotManager:
    def __init__(self):
        self.providers = {}
        self.cleanup_task = asyncio.create_task(self._periodic_cleanup())

    async def _periodic_cleanup(self):
        while True:
            await asyncio.sleep(300)


manager = BotManager()
